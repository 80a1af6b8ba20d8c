/**
 * @brief   Bench memory: an AXI4 read subordinate serving words from a file.
 * @description
 *  Holds WORDS words of DATA_W bits in Mem (the bench fills it: $readmemh) from byte address BASE
 *  (a multiple of DATA_W/8) and answers INCR reads of them, in order (one ID).  A read is
 *  served from LAT cycles after its AR was accepted, one beat a cycle at most; up to 64
 *  reads wait.  With stalls high, arready is low and rvalid idles on about a quarter of
 *  the cycles each (drawn every cycle).  rvalid and the beat hold until rready.  Every
 *  AR is checked against AXI4's rules and the memory (INCR, a full word per beat, inside
 *  the words, no 4 KB crossing) and every R handshake against X; errors counts what
 *  failed, each printed once as FAIL.  Used by top_tb for designs with m_axi_weights.
 */
module axi_read_mem #(
  parameter int DATA_W = 64,
  parameter int ADDR_W = 40,
  parameter int WORDS  = 1,
  parameter longint BASE = 0,
  parameter int LAT    = 24
) (
  input  logic               clk,
  input  logic               rst,
  input  logic               stalls,
  input  logic               arvalid,
  output logic               arready,
  input  logic [ADDR_W-1:0]  araddr,
  input  logic [7:0]         arlen,
  input  logic [2:0]         arsize,
  input  logic [1:0]         arburst,
  output logic               rvalid,
  input  logic               rready,
  output logic [DATA_W-1:0]  rdata,
  output logic [1:0]         rresp,
  output logic               rlast,
  output int                 errors
);
  localparam int BYTES = DATA_W / 8;
  localparam int QD = 64;

  logic [DATA_W-1:0] Mem [0:WORDS-1];

  longint Cycle = 0;
  longint QDue  [0:QD-1];
  int     QWord [0:QD-1];   // first word of each waiting read
  int     QLen  [0:QD-1];
  int     QHead = 0, QTail = 0, Beat = 0;
  logic   ArStall = 1'b0, RGap = 1'b0;

  initial begin
    errors = 0;
    rvalid = 1'b0;
    rlast = 1'b0;
  end
  assign arready = !ArStall && (QTail - QHead < QD);
  assign rresp = 2'b00;

  always @(posedge clk) begin
    Cycle <= Cycle + 1;
    ArStall <= stalls && ($urandom % 4 == 0);
    RGap <= stalls && ($urandom % 4 == 0);
    if (rst) begin
      rvalid <= 1'b0;
      QHead <= 0;
      QTail <= 0;
      Beat <= 0;
    end else begin
      automatic int head = QHead;
      automatic int beat = Beat;
      if (arvalid && arready) begin
        automatic longint a = longint'(araddr) - BASE;
        automatic int n = int'(arlen) + 1;
        if ($isunknown({araddr, arlen, arsize, arburst}) || arburst != 2'b01
            || int'(arsize) != $clog2(BYTES) || a < 0 || a % BYTES != 0
            || a / BYTES + n > WORDS || (araddr % 4096) + n * BYTES > 4096) begin
          errors <= errors + 1;
          $display("FAIL axi_read_mem: cycle %0d: AR address %0h len %0d size %0d burst %0d (memory %0h + %0d words)",
                   Cycle, araddr, arlen, arsize, arburst, BASE, WORDS);
        end
        QDue[QTail % QD] <= Cycle + LAT;
        QWord[QTail % QD] <= int'(a / BYTES);
        QLen[QTail % QD] <= n;
        QTail <= QTail + 1;
      end
      if (rvalid && $isunknown(rready)) begin
        errors <= errors + 1;
        $display("FAIL axi_read_mem: cycle %0d: X on rready", Cycle);
      end
      if (rvalid && rready) begin  // the beat on the channel is taken
        beat = beat + 1;
        if (beat == QLen[head % QD]) begin
          head = head + 1;
          beat = 0;
        end
      end
      if (!rvalid || rready) begin  // the next beat, if one is due
        if (head != QTail && Cycle >= QDue[head % QD] && !RGap) begin
          automatic int w = QWord[head % QD] + beat;
          rvalid <= 1'b1;
          rdata <= (w >= 0 && w < WORDS) ? Mem[w] : 'x;
          rlast <= beat == QLen[head % QD] - 1;
        end else begin
          rvalid <= 1'b0;
        end
      end
      QHead <= head;
      Beat <= beat;
    end
  end
endmodule
