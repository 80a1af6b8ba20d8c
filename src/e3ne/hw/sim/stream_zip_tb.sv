/******************************************************************************
 * @brief   Self-checking bench for stream_zip.
 * @author  e3ne
 *
 * @description
 *  Two stream_sources send the N beats of I_FILE (A_W bits) and of S_FILE
 *  (B_W bits), with random gaps: i idles IGAP %, s SGAP % of the cycles
 *  (default: as IGAP; plusarg +GAP= sets both). stream_sink takes the output
 *  with ordy low OSTALL % of the cycles (+BP=) and scores every beat against
 *  EXP_FILE (beat k = {i_k, s_k}, s_k in the low B_W bits). All three files
 *  are written by tests/hw/test_stream_zip.py.
 *
 *  Besides the sink's checks (order, payload, handshake rules 2 and 3, X,
 *  spurious beats: valid while every pair taken at an earlier edge has left,
 *  so no pair passes through in the cycle it is taken), every edge checks
 *  the header's handshake:
 *   - the two beats of a pair are taken at the same edge;
 *   - irdy == svld && (held < 2), srdy == ivld && (held < 2), held = pairs
 *     taken minus output beats taken (Room: the 2-pair buffer not full);
 *   - held never exceeds 2;
 *  and the latency of every beat: beat k is on ovld first in cycle
 *      max(take_k + LAT, out_{k-1} + 1)
 *  (take_k: the cycle pair k is taken; out_{k-1}: the cycle output beat k-1
 *  is taken), LAT = 1 as the header documents. Unstalled, bench_ctl's
 *  LATENCY line is LAT.
 *
 *  Reports as bench_ctl: CYCLES/LATENCY lines, then PASS or FAIL (missing
 *  beats after LIMIT cycles). STANDALONE = 1 ends the simulation with
 *  $finish; with STANDALONE = 0 a wrapper reads Done/Ok and finishes.
 *****************************************************************************/

module stream_zip_tb #(
	parameter int A_W        = 8,     // DUT: bits per beat of input i
	parameter int B_W        = 8,     // DUT: bits per beat of input s
	parameter int N          = 2000,  // beats in I_FILE, S_FILE and EXP_FILE
	parameter     I_FILE     = "i.hex",
	parameter     S_FILE     = "s.hex",
	parameter     EXP_FILE   = "exp.hex",
	parameter int IGAP       = 30,    // % of cycles source i idles
	parameter int SGAP       = IGAP,  // % of cycles source s idles
	parameter int OSTALL     = 30,    // % of cycles the sink holds ordy low
	parameter int LAT        = 1,     // documented latency, input handshake to ovld
	parameter int SEED       = 1,     // $urandom seed
	parameter int STANDALONE = 1,     // 1: $finish here; 0: a wrapper finishes
	parameter     NAME = "stream_zip_tb"  // tag in the messages
);

	logic  clk, rst, irdy, ivld, srdy, svld, ordy, ovld, Done, Ok;
	logic [A_W-1:0]  idat;
	logic [B_W-1:0]  sdat;
	logic [A_W+B_W-1:0]  odat;
	int  Cycle, SentI, FirstI, ErrI, SentS, FirstS, ErrS, Recv, FirstO, LastO, ErrO;
	int  Errors = 0;  // handshake, buffer and latency errors

	stream_zip #(.A_W(A_W), .B_W(B_W)) dut (
		.clk, .rst,
		.irdy, .ivld, .idat,
		.srdy, .svld, .sdat,
		.ordy, .ovld, .odat
	);

	stream_source #(.W(A_W), .N(N), .FILE(I_FILE), .GAP(IGAP), .NAME({NAME, ".i"})) src_i (
		.clk, .rst, .cycle(Cycle), .rdy(irdy), .vld(ivld), .dat(idat),
		.sent(SentI), .first(FirstI), .errors(ErrI)
	);

	stream_source #(.W(B_W), .N(N), .FILE(S_FILE), .GAP(SGAP), .NAME({NAME, ".s"})) src_s (
		.clk, .rst, .cycle(Cycle), .rdy(srdy), .vld(svld), .dat(sdat),
		.sent(SentS), .first(FirstS), .errors(ErrS)
	);

	// a beat may leave from the edge after the one its pair is taken at
	stream_sink #(.W(A_W+B_W), .N(N), .FILE(EXP_FILE), .STALL(OSTALL), .NAME(NAME)) snk (
		.clk, .rst, .cycle(Cycle), .rdy(ordy), .vld(ovld), .dat(odat), .avail(SentI),
		.recv(Recv), .first(FirstO), .last(LastO), .errors(ErrO)
	);

	bench_ctl #(.N_IN(N), .N_OUT(N), .SEED(SEED), .LIMIT(100 * N + 1000),
		.STANDALONE(STANDALONE), .NAME(NAME)) ctl (
		.clk, .rst, .cycle(Cycle), .sent(SentI), .first_in(FirstI), .recv(Recv),
		.first_out(FirstO), .last_out(LastO), .errors(ErrI + ErrS + ErrO + Errors),
		.done(Done), .ok(Ok)
	);

	initial $display("%s: A_W=%0d B_W=%0d, %0d beats, IGAP %0d SGAP %0d OSTALL %0d",
		NAME, A_W, B_W, N, IGAP, SGAP, OSTALL);

	int  TakeC[0:N-1];  // cycle each pair was taken
	int  NTake = 0;     // pairs taken (blocking, this block's view)
	int  NOut = 0;      // output beats taken
	int  LastX = -1;    // cycle the last output beat was taken
	int  Want;
	logic  Shown = 0;   // output beat NOut has been on ovld already
	logic  Room;        // the buffer has room, as the header documents

	always @(posedge clk) begin
		if (!rst) begin
			// pairs: both beats at the same edge; ready = other valid && Room
			Room = (SentI - Recv < 2);
			if ((ivld && irdy) !== (svld && srdy) || irdy !== (svld && Room)
					|| srdy !== (ivld && Room) || SentI - Recv > 2 || SentS != SentI) begin
				Errors <= Errors + 1;
				$display("FAIL %s: cycle %0d: ivld=%b irdy=%b svld=%b srdy=%b with %0d pairs held (%0d i, %0d s taken)",
					NAME, Cycle, ivld, irdy, svld, srdy, SentI - Recv, SentI, SentS);
			end
			// latency: beat NOut shows LAT cycles after its pair, or after beat NOut-1 left
			if (ovld === 1 && NOut < NTake) begin
				if (!Shown) begin
					Want = TakeC[NOut] + LAT;
					if (NOut > 0 && LastX + 1 > Want)  Want = LastX + 1;
					if (Cycle != Want) begin
						Errors <= Errors + 1;
						$display("FAIL %s: beat %0d on ovld in cycle %0d, expected %0d (taken in cycle %0d, beat %0d left in %0d)",
							NAME, NOut, Cycle, Want, TakeC[NOut], NOut - 1, LastX);
					end
					Shown = 1;
				end
				if (ordy) begin
					LastX = Cycle;
					NOut++;
					Shown = 0;
				end
			end
			if (ivld && irdy && NTake < N) begin
				TakeC[NTake] = Cycle;
				NTake++;
			end
		end
	end

endmodule : stream_zip_tb
